-- Team members and their console sessions (src/team/); the console's store credentials point at them.
-- AlterTable
ALTER TABLE "admin_credential" ADD COLUMN     "console_session_id" UUID,
ADD COLUMN     "team_member_id" UUID;

-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "team_member_id" UUID;

-- CreateTable
CREATE TABLE "team_member" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "team_member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "team_grant" (
    "member_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "scopes" "AdminScope"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_grant_pkey" PRIMARY KEY ("member_id","tenant_id")
);

-- CreateTable
CREATE TABLE "console_session" (
    "id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "ip" TEXT,
    "user_agent" TEXT,

    CONSTRAINT "console_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "team_member_email_key" ON "team_member"("email");

-- CreateIndex
CREATE INDEX "team_grant_tenant_id_idx" ON "team_grant"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "console_session_token_hash_key" ON "console_session"("token_hash");

-- CreateIndex
CREATE INDEX "console_session_member_id_idx" ON "console_session"("member_id");

-- CreateIndex
CREATE INDEX "admin_credential_console_session_id_idx" ON "admin_credential"("console_session_id");

-- AddForeignKey
ALTER TABLE "admin_credential" ADD CONSTRAINT "admin_credential_team_member_id_fkey" FOREIGN KEY ("team_member_id") REFERENCES "team_member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "admin_credential" ADD CONSTRAINT "admin_credential_console_session_id_fkey" FOREIGN KEY ("console_session_id") REFERENCES "console_session"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_grant" ADD CONSTRAINT "team_grant_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "team_member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_grant" ADD CONSTRAINT "team_grant_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "console_session" ADD CONSTRAINT "console_session_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "team_member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The hash chain covers the new column (README "Audit trail integrity"): version 2 of the content
-- appends team_member_id only when set, so every event written before keeps its content and hash.
CREATE OR REPLACE FUNCTION "audit_event_content"(e "audit_event") RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (jsonb_build_array(e.id, e.tenant_id, e.seq, e.type, e.actor_kind, e.actor_id, e.customer_id, e.ip, e.user_agent,
                            e.request_id, e.data, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                            e.impersonator_id)
          || CASE WHEN e.team_member_id IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(e.team_member_id) END)::text;
END
$$;
