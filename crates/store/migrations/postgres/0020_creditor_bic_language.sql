-- The creditor's BIC, printed with its IBAN and put in the payment QR code, and the language
-- of its staff pages until a person chooses another.
ALTER TABLE tenants ADD COLUMN bic TEXT;
ALTER TABLE tenants ADD COLUMN language TEXT NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en'));
