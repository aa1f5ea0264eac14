// Prisma 7 CLI configuration: used for `prisma generate` only. The gateway applies migrations
// itself (src/db/migrations.ts); authoring them runs the Prisma 6 CLI offline
// (`npm run db:migrate:dev`, prisma/prisma6.ts) because Prisma 7's CLI insists on downloading a
// native schema engine this machine cannot reach.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/gateway_dev" },
});
