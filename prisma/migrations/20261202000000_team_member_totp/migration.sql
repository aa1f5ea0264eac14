-- Team members: an authenticator app (TOTP) as a second sign-in factor, and when the password changed.
ALTER TABLE "team_member" ADD COLUMN "password_changed_at" TIMESTAMPTZ(3),
ADD COLUMN "totp_secret_sealed" TEXT,
ADD COLUMN "totp_confirmed_at" TIMESTAMPTZ(3),
ADD COLUMN "totp_last_step" INTEGER;
