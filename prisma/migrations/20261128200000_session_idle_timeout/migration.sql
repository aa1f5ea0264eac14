-- AlterTable
ALTER TABLE "session" ADD COLUMN     "idle_expires_at" TIMESTAMPTZ(3);
