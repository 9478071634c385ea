// What the demo country is made of: kinds of eateries with their menus and opening hours, names,
// streets and people. Prices include VAT (as on a menu board); beer keeps 10 % (no reduction).

export interface MenuItem {
  code: string;
  name: string;
  unit: string;
  price: number;
  /** Drinks and sides are added to a diner's main dish. */
  role: 'main' | 'side' | 'drink';
  /** Alcohol is never at the reduced rate. */
  fullRate?: boolean;
}

export interface Kind {
  key: string;
  /** How the business name starts: "Phở", "Cà phê"… */
  prefix: string;
  open: number;
  /** Closing hour (exclusive). */
  close: number;
  /** [from, to, weight]: busier hours on top of the opening hours' weight 1. */
  peaks: Array<[number, number, number]>;
  menu: MenuItem[];
}

const m = (code: string, name: string, unit: string, price: number, role: MenuItem['role'] = 'main', fullRate = false): MenuItem => ({
  code,
  name,
  unit,
  price,
  role,
  ...(fullRate ? { fullRate } : {}),
});

export const KINDS: Kind[] = [
  {
    key: 'pho',
    prefix: 'Phở',
    open: 6,
    close: 21,
    peaks: [[6, 9, 4], [11, 13, 2.5], [18, 20, 2]],
    menu: [m('PHO01', 'Phở bò tái', 'bát', 55000), m('PHO02', 'Phở bò chín', 'bát', 55000), m('PHO03', 'Phở gà', 'bát', 50000), m('PHO04', 'Phở đặc biệt', 'bát', 75000), m('QUAY', 'Quẩy', 'cái', 5000, 'side'), m('TRUNG', 'Trứng chần', 'quả', 10000, 'side'), m('TRADA', 'Trà đá', 'cốc', 5000, 'drink')],
  },
  {
    key: 'buncha',
    prefix: 'Bún chả',
    open: 10,
    close: 21,
    peaks: [[11, 13, 4], [17, 20, 2]],
    menu: [m('BC01', 'Bún chả', 'suất', 50000), m('BC02', 'Bún chả đặc biệt', 'suất', 65000), m('NEM', 'Nem cua bể', 'chiếc', 25000, 'side'), m('TRADA', 'Trà đá', 'cốc', 5000, 'drink'), m('BIA01', 'Bia Hà Nội', 'chai', 25000, 'drink', true)],
  },
  {
    key: 'comtam',
    prefix: 'Cơm tấm',
    open: 6,
    close: 21,
    peaks: [[6, 9, 2], [11, 13, 4], [17, 20, 2]],
    menu: [m('CT01', 'Cơm tấm sườn bì chả', 'đĩa', 55000), m('CT02', 'Cơm tấm sườn', 'đĩa', 45000), m('CT03', 'Cơm tấm sườn trứng', 'đĩa', 50000), m('CANH', 'Canh chua', 'bát', 15000, 'side'), m('TRADA', 'Trà đá', 'cốc', 5000, 'drink')],
  },
  {
    key: 'banhmi',
    prefix: 'Bánh mì',
    open: 6,
    close: 20,
    peaks: [[6, 9, 5], [15, 18, 2]],
    menu: [m('BM01', 'Bánh mì pate', 'ổ', 25000), m('BM02', 'Bánh mì thịt nướng', 'ổ', 30000), m('BM03', 'Bánh mì đặc biệt', 'ổ', 40000), m('SDN', 'Sữa đậu nành', 'chai', 10000, 'drink')],
  },
  {
    key: 'caphe',
    prefix: 'Cà phê',
    open: 7,
    close: 22,
    peaks: [[7, 10, 3], [14, 17, 2], [19, 21, 1.5]],
    menu: [m('CF01', 'Cà phê sữa đá', 'cốc', 29000), m('CF02', 'Cà phê đen đá', 'cốc', 25000), m('CF03', 'Bạc xỉu', 'cốc', 32000), m('TR01', 'Trà đào cam sả', 'cốc', 45000), m('ST01', 'Sinh tố bơ', 'cốc', 45000), m('HD01', 'Hạt hướng dương', 'đĩa', 15000, 'side')],
  },
  {
    key: 'bunbo',
    prefix: 'Bún bò Huế',
    open: 6,
    close: 21,
    peaks: [[6, 9, 3], [11, 13, 3], [17, 19, 1.5]],
    menu: [m('BB01', 'Bún bò Huế', 'tô', 55000), m('BB02', 'Bún bò giò heo', 'tô', 65000), m('CHA', 'Chả cua', 'phần', 15000, 'side'), m('NS', 'Nước sâm', 'cốc', 12000, 'drink')],
  },
  {
    key: 'miquang',
    prefix: 'Mì Quảng',
    open: 6,
    close: 21,
    peaks: [[6, 9, 3], [11, 13, 3], [17, 19, 1.5]],
    menu: [m('MQ01', 'Mì Quảng gà', 'tô', 45000), m('MQ02', 'Mì Quảng tôm thịt', 'tô', 50000), m('BT', 'Bánh tráng nướng', 'cái', 5000, 'side'), m('TRADA', 'Trà đá', 'cốc', 5000, 'drink')],
  },
  {
    key: 'nhau',
    prefix: 'Quán nhậu',
    open: 16,
    close: 24,
    peaks: [[18, 22, 3]],
    menu: [m('LAU01', 'Lẩu thái hải sản', 'nồi', 250000), m('GA01', 'Gà nướng mật ong', 'nửa con', 160000), m('MUC01', 'Mực nướng sa tế', 'đĩa', 120000), m('NOM01', 'Nộm hoa chuối', 'đĩa', 60000, 'side'), m('DAU01', 'Đậu phụ rán', 'đĩa', 40000, 'side'), m('BIA02', 'Bia Sài Gòn', 'lon', 22000, 'drink', true), m('BIA01', 'Bia Hà Nội', 'chai', 25000, 'drink', true)],
  },
];

export const OWNERS = [
  'Bà Hiền', 'Cô Ba', 'Anh Tuấn', 'Thành Đạt', 'Hương Liên', 'Cô Lan', 'Chú Sáu', 'Bà Tư', 'Hai Lúa', 'Minh Châu', 'Ông Tám', 'Út Nhỏ',
  'Gia Truyền', 'Ngon', 'Bà Mười', 'Cô Hoa', 'Anh Béo', 'Thu Trang', 'Phương Nam', 'Hồng Vân', 'Bình Minh', 'Sông Hàn', 'Phố Cổ', 'Hạnh Phúc',
];

export const STREETS = ['Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Huệ', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Quang Trung', 'Hùng Vương', 'Nguyễn Trãi', 'Lê Duẩn', 'Điện Biên Phủ', 'Phan Chu Trinh', 'Bà Triệu'];

export const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
export const MIDDLE = { male: ['Văn', 'Đức', 'Minh', 'Quốc', 'Hữu'], female: ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Mai'] } as const;
export const GIVEN = {
  male: ['An', 'Bình', 'Cường', 'Dũng', 'Hùng', 'Khoa', 'Long', 'Nam', 'Phong', 'Quân', 'Sơn', 'Tuấn'],
  female: ['Anh', 'Châu', 'Dung', 'Hà', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngân', 'Phương', 'Thảo', 'Trang'],
} as const;
export const COMPANIES = ['Công ty TNHH Thương mại Hòa Bình', 'Công ty CP Xây dựng Sông Hồng', 'Công ty TNHH Du lịch Biển Xanh', 'Công ty CP Công nghệ Sao Việt', 'Công ty TNHH Vận tải Phú Mỹ'];

/** Relative weights of provinces in the demo country (the big cities weigh more). */
export const PROVINCE_WEIGHT: Record<string, number> = { '01': 10, '79': 12, '48': 4, '31': 4, '92': 3, '75': 3, '24': 2, '22': 2, '56': 2, '38': 2, '40': 2, '46': 2 };

/** Birth-province codes (personal IDs) of people living in a province: its own old code and Hà Nội's / TP HCM's. */
export const BIRTH_CODE_OF: Record<string, string> = { '01': '001', '79': '079', '48': '048', '31': '031', '92': '092', '75': '075', '46': '046', '22': '022', '56': '056', '38': '038', '40': '040' };
