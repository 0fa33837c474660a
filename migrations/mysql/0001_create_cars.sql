-- The cars table of API.md section 2, for PlanetScale / MySQL / MariaDB.
-- utf8mb4_bin makes `make` compare and sort byte by byte, exactly as SQLite (D1) does, so both backends
-- group, filter and order the same way.
CREATE TABLE IF NOT EXISTS cars (
  id BIGINT NOT NULL AUTO_INCREMENT,
  make VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  model VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  year SMALLINT NOT NULL,
  price DECIMAL(10, 2) NOT NULL,
  specs JSON NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY cars_make_id (make, id)
) DEFAULT CHARSET = utf8mb4;
