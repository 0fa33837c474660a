-- The cars table of API.md section 2, for D1 (SQLite). Prices are integer cents because SQLite has no
-- exact DECIMAL; created_at is ISO 8601 UTC text with milliseconds, the shape the API answers.
CREATE TABLE IF NOT EXISTS cars (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  make TEXT NOT NULL,
  model TEXT NOT NULL,
  year INTEGER NOT NULL,
  price_cents INTEGER NOT NULL,
  specs TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS cars_make_id ON cars (make, id);
