-- An overdue item is reminded again each week: a reminder is now made once per user, item
-- and occasion (the due date while the item is coming up, then the first overdue day and
-- every seventh day after it).
ALTER TABLE reminders ADD COLUMN occasion date;
UPDATE reminders SET occasion = due;
ALTER TABLE reminders ALTER COLUMN occasion SET NOT NULL;
ALTER TABLE reminders DROP CONSTRAINT reminders_municipality_id_user_id_link_title_due_key;
ALTER TABLE reminders ADD CONSTRAINT reminders_once_per_occasion
    UNIQUE (municipality_id, user_id, link, title, due, occasion);
