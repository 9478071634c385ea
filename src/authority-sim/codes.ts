// The reasons the simulator gives, in one place. The authority publishes only a few of its codes
// (authority-messages.md §3: 9992, 2004, 2005); the others are the simulator's own, chosen so a
// test or a log line can tell the checks apart.

export interface SimReason {
  code: string;
  message: string;
  /** HDXLy: how to fix (204 LDo). */
  fix?: string;
}

const r = (code: string, message: string, fix?: string): SimReason => (fix === undefined ? { code, message } : { code, message, fix });

/** 999 TTTNhan=1: the message was not taken in. */
export const ENVELOPE = {
  unreadable: (detail: string) => r('10001', `Thông điệp không đúng định dạng XML: ${detail}`),
  badMessageId: () => r('10002', 'Mã thông điệp (MTDiep) không hợp lệ'),
  duplicateId: () => r('10003', 'Mã thông điệp đã tồn tại'),
  unknownType: (type: string) => r('10004', `Mã loại thông điệp (MLTDiep) ${type} không được hỗ trợ`),
  schema: (detail: string) => r('10005', `Thông điệp không hợp lệ theo lược đồ XSD: ${detail}`),
  signature: (detail: string) => r('10006', `Chữ ký số của thông điệp không hợp lệ: ${detail}`),
  count: (declared: number | undefined, actual: number) =>
    r('10007', `Số lượng (SLuong) ${declared ?? 'không có'} không khớp với ${actual} hóa đơn trong thông điệp`),
  mixed: (what: string) => r('10008', `Thông điệp chứa hóa đơn của nhiều ${what}`),
  structure: (detail: string) => r('10009', `Cấu trúc thông điệp không hợp lệ: ${detail}`),
} as const;

/** 204 LDo: one per rejected invoice (MTLoi carries `KHMSHDon;KHHDon;SHDon;` + this message). */
export const INVOICE = {
  unreadable: (detail: string) => r('30001', `Không đọc được hóa đơn: ${detail}`, 'Lập lại dữ liệu hóa đơn đúng định dạng'),
  schema: (detail: string) => r('30002', `Hóa đơn không hợp lệ theo lược đồ XSD: ${detail}`, 'Lập lại dữ liệu hóa đơn đúng định dạng'),
  signature: (detail: string) => r('30003', `Chữ ký số trên hóa đơn không hợp lệ: ${detail}`, 'Ký lại hóa đơn bằng chứng thư số của người bán'),
  mttCode: (detail: string) => r('30004', `Mã của cơ quan thuế (MCCQT) không hợp lệ: ${detail}`, 'Sử dụng mã MTT do cơ quan thuế cấp'),
  duplicate: (mttCode: string) =>
    r('30005', `Hóa đơn trùng: hóa đơn có MCCQT ${mttCode} hoặc cùng ký hiệu và số đã được tiếp nhận`, 'Không gửi lại hóa đơn đã được tiếp nhận'),
  totals: (detail: string) => r('30006', `Tổng tiền không khớp: ${detail}`, 'Kiểm tra lại số tiền trên hóa đơn'),
  relatedUnknown: (ref: string) =>
    r('30007', `Hóa đơn bị thay thế/điều chỉnh (${ref}) chưa được cơ quan thuế tiếp nhận`, 'Gửi hóa đơn gốc trước hóa đơn thay thế hoặc điều chỉnh'),
} as const;

/** 204 LTBao 9 (KHLKhac): the whole package. */
export const PACKAGE = {
  sellerNotRegistered: (taxCode: string) =>
    r('31001', `Người bán ${taxCode} chưa đăng ký sử dụng hóa đơn khởi tạo từ máy tính tiền có mã`, 'Đăng ký sử dụng hóa đơn (mẫu 01/ĐKTĐ-HĐĐT)'),
  allInvalid: (n: number) => r('31002', `Tất cả ${n} hóa đơn trong gói không hợp lệ`, 'Xem lý do của từng hóa đơn'),
} as const;

/** 102 THop 2/4 (not received) and 103 TTXNCQT 2 (not accepted). */
export const REGISTRATION = {
  signature: (detail: string) => r('1001', `Chữ ký số trên tờ khai không hợp lệ: ${detail}`),
  taxCode: (detail: string) => r('1002', `Mã số thuế không hợp lệ: ${detail}`),
  certificates: () => r('1003', 'Tờ khai không có danh sách chứng thư số sử dụng (DSCTSSDung)'),
  structure: (detail: string) => r('1004', `Tờ khai không đúng cấu trúc: ${detail}`),
  alreadyRegistered: () => r('9992', 'Người nộp thuế đã có tờ khai đăng ký sử dụng hóa đơn điện tử được chấp nhận'),
  fullData: () => r('2004', 'Người nộp thuế phải chọn phương thức chuyển đầy đủ nội dung từng hóa đơn (CDDu)'),
  invoiceType: () => r('2005', 'Loại hóa đơn đăng ký không phù hợp với phương pháp tính thuế'),
  cashRegister: () => r('2006', 'Tờ khai không đăng ký hóa đơn có mã khởi tạo từ máy tính tiền (CMTMTTien)'),
  representative: (detail: string) => r('2007', `Thông tin người đại diện theo pháp luật không khớp cơ sở dữ liệu dân cư: ${detail}`),
  notRegistered: () => r('2008', 'Người nộp thuế chưa có đăng ký được chấp nhận để thay đổi'),
} as const;

/** 301 per invoice (DSLDKTNhan) and for the whole notice (DSLDKCNhan). */
export const NOTICE = {
  signature: (detail: string) => r('4001', `Chữ ký số trên thông báo không hợp lệ: ${detail}`),
  structure: (detail: string) => r('4002', `Thông báo không đúng cấu trúc: ${detail}`),
  unknownInvoice: (mttCode: string) => r('4003', `Hóa đơn có MCCQT ${mttCode} chưa được cơ quan thuế tiếp nhận`),
  mismatch: () => r('4004', 'Ký hiệu, số hóa đơn không khớp với hóa đơn đã tiếp nhận'),
  action: (value: string) => r('4005', `Tính chất thông báo (TCTBao) ${value} không được chấp nhận (2 điều chỉnh, 3 thay thế, 4 giải trình)`),
} as const;
