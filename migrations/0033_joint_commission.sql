-- An audit may be commissioned jointly by the municipal auditors and a company's lay auditors
-- (lekmannarevisorerna), as Leksand's was (issue 30).
ALTER TABLE audits DROP CONSTRAINT audits_commissioned_by_check;
ALTER TABLE audits ADD CONSTRAINT audits_commissioned_by_check
    CHECK (commissioned_by IN ('revisorerna', 'lekmannarevisorerna', 'gemensamt'));
