-- Separation of duties: who classified, as an account, so that they cannot also approve.
ALTER TABLE classifications ADD COLUMN classified_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL;
