-- The cars table of API.md section 2, for PlanetScale / MySQL / MariaDB.
-- utf8mb4_0900_bin compares and sorts byte by byte without padding ("X" and "X  " differ), exactly as SQLite
-- (D1) does, so every backend groups, filters and orders alike. (utf8mb4_bin would pad with spaces.)
-- MariaDB spells this collation utf8mb4_nopad_bin; dev/migrate.ts translates it there.
CREATE TABLE IF NOT EXISTS cars (
  id BIGINT NOT NULL AUTO_INCREMENT,
  make VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin NOT NULL,
  model VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin NOT NULL,
  year SMALLINT NOT NULL,
  price DECIMAL(10, 2) NOT NULL,
  specs JSON NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY cars_make_id (make, id)
) DEFAULT CHARSET = utf8mb4;
