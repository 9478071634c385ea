import { problemRef } from '../../plugins/problems.js';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { requirePrincipal, secured } from '../../plugins/auth.js';
import { actorOf } from '../audit/security-events.js';
import { createStaffMember, listStaff, revokeStaffMember, staffView, type NewStaff } from './staff.service.js';

const problem = problemRef;
const errors = { 401: problem, 403: problem, 404: problem, 422: problem } as const;
const member = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['officer', 'admin'] },
    provinces: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['id', 'name', 'role', 'provinces'],
} as const;

export default async function staffRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const db = deps.database.db;
  app.post<{ Body: NewStaff }>(
    '/v1/staff',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['staff'],
        operationId: 'createStaff',
        ...secured,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'role'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            role: { type: 'string', enum: ['officer', 'admin'] },
            provinces: { type: 'array', maxItems: 34, items: { type: 'string', pattern: '^[0-9]{2}$' } },
          },
        },
        response: { 201: { type: 'object', properties: { id: { type: 'string' }, token: { type: 'string', description: 'stf_…, shown once' } }, required: ['id', 'token'] }, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await createStaffMember(db, req.body, deps.clock(), actorOf(requirePrincipal(req)))),
  );
  app.get(
    '/v1/staff',
    { config: { auth: ['admin'] }, schema: { tags: ['staff'], operationId: 'listStaff', ...secured, response: { 200: { type: 'array', items: member }, ...errors } } },
    async () => (await listStaff(db)).map(staffView),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/staff/:id',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['staff'],
        operationId: 'revokeStaff',
        ...secured,
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await revokeStaffMember(db, req.params.id, deps.clock(), actorOf(requirePrincipal(req)));
      return reply.code(204).send();
    },
  );
}
