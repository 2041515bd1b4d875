#!/bin/sh
# Verifies the signature of one event/verification message with a shell, grep/sed/od and openssl:
#   verify-signature.sh INFO_FILE VERIFICATION_FILE
# INFO_FILE: the terminal's retained info (its deviceKey). VERIFICATION_FILE: the message bytes exactly as
# received (no added newline). Prints "Verified OK" and exits 0 when the signature is valid.
# The steps are explained in ../README.md ("Verifying a verification's signature").
set -eu
info=$1
message=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

b64url_decode() { # base64url without padding -> bytes
  s=$(printf '%s' "$1" | tr -- '-_' '+/')
  case $(( ${#s} % 4 )) in 2) s="$s==" ;; 3) s="$s=" ;; esac
  printf '%s' "$s" | openssl base64 -d -A
}
b64url_to_hex() { b64url_decode "$1" | od -An -v -tx1 | tr -d ' \n'; }

# 1. Split the message: the signed bytes are everything before the last ,"signature":" plus a closing }.
cut_at=$(grep -o -b ',"signature":"' "$message" | tail -n 1 | cut -d: -f1)
head -c "$cut_at" "$message" > "$work/signed.json"
printf '}' >> "$work/signed.json"
jws=$(tail -c +"$((cut_at + 15))" "$message" | sed 's/"}$//')
header=${jws%%..*}
signature=${jws##*..}

# 2. The JWS signing input: BASE64URL(header) '.' BASE64URL(signed bytes).
payload=$(openssl base64 -A -in "$work/signed.json" | tr -- '+/' '-_' | tr -d '=')
printf '%s.%s' "$header" "$payload" > "$work/input"

# 3. The public key from info: the JWK's x and y as an uncompressed P-256 point in a SubjectPublicKeyInfo.
x=$(grep -o '"x":"[^"]*"' "$info" | cut -d'"' -f4)
y=$(grep -o '"y":"[^"]*"' "$info" | cut -d'"' -f4)
printf '3059301306072a8648ce3d020106082a8648ce3d03010703420004%s%s' "$(b64url_to_hex "$x")" "$(b64url_to_hex "$y")" \
  | sed 's/../\\x&/g' | xargs -0 printf '%b' > "$work/key.der"
openssl pkey -pubin -inform DER -in "$work/key.der" -out "$work/key.pem"

# 4. ES256 signatures are r||s (32 bytes each); openssl wants them as a DER SEQUENCE of two INTEGERs.
rs=$(b64url_to_hex "$signature")
printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$(printf '%s' "$rs" | cut -c1-64)" "$(printf '%s' "$rs" | cut -c65-128)" > "$work/sig.cnf"
openssl asn1parse -genconf "$work/sig.cnf" -out "$work/sig.der" -noout

# 5. Check the header names ES256 (and the kid of this key), then the signature.
b64url_decode "$header" | grep -q '"alg":"ES256"' || { echo "not an ES256 signature" >&2; exit 1; }
openssl dgst -sha256 -verify "$work/key.pem" -signature "$work/sig.der" "$work/input"
