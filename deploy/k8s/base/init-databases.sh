#!/bin/bash
# Run once by the postgres image's entrypoint, when the data directory is first initialised:
# one login role and one database per service, the role owning its database, nobody else
# allowed to connect. SWITCHBOARD_DATABASES names them; <NAME>_PASSWORD holds each password.
set -euo pipefail
for name in ${SWITCHBOARD_DATABASES:?}; do
  password_var="${name^^}_PASSWORD"
  password="${!password_var:?${password_var} is not set}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set=name="$name" --set=password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT ALL ON DATABASE :"name" TO :"name";
SQL
  echo "database $name and its role created"
done
