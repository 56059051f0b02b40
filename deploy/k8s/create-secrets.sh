#!/usr/bin/env bash
# Creates the files an overlay's secretGenerator reads, under deploy/k8s/overlays/<overlay>/secrets/
# (git-ignored): a random password each for the PostgreSQL superuser, the three services' database
# roles and Redis, and the identity provider's public key, copied from the given PEM file.
# Files that exist are kept, so running it again never changes a password behind a running cluster's back.
#
#   deploy/k8s/create-secrets.sh <dev|prod> <identity provider's public key (PEM)>
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <overlay> <public-key.pem>" >&2; exit 2; }
overlay_dir="$(cd "$(dirname "$0")" && pwd)/overlays/$1"
[ -f "$overlay_dir/kustomization.yaml" ] || { echo "no overlay $1 ($overlay_dir)" >&2; exit 2; }
grep -q 'BEGIN PUBLIC KEY' "$2" || { echo "$2 is not a PEM public key (-----BEGIN PUBLIC KEY-----)" >&2; exit 2; }
dir="$overlay_dir/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
umask 077

# 32 hex characters from the kernel's CSPRNG, without a newline (it would become part of the password).
random_password() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

for name in postgres-password ticket-db-password chat-db-password notification-db-password redis-password; do
  if [ -s "$dir/$name" ]; then
    echo "kept    $dir/$name"
  else
    random_password >"$dir/$name"
    echo "created $dir/$name"
  fi
done
cp "$2" "$dir/jwt-public.pem"
echo "copied  $2 to $dir/jwt-public.pem"
