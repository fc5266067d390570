# shellcheck shell=bash
# Development secrets, made once under .local/ and never committed: the JWT signing key and the worker's PDF signing
# certificate. Sourced by scripts/infra.sh.

SIGNING_KEY_FILE="$LOCAL_DIR/dev-signing-key"
# The worker's PDF signing certificate for development: an RSA-3072 certificate issued by a development authority
# (authority.pem, what a verifier such as `pdfsig -nssdir` must trust), as PKCS#12 with a generated password.
PDF_SIGNING_DIR="$LOCAL_DIR/pdf-signing"

ensure_signing_key() {
    ensure_local_dir
    if [[ ! -s $SIGNING_KEY_FILE ]]; then
        (umask 077 && head -c 64 /dev/urandom | base64 -w0 >"$SIGNING_KEY_FILE.tmp")
        chmod 600 "$SIGNING_KEY_FILE.tmp"
        mv -f "$SIGNING_KEY_FILE.tmp" "$SIGNING_KEY_FILE"
        log "generated development JWT signing key: $SIGNING_KEY_FILE"
    fi
}

ensure_pdf_signing_certificate() {
    ensure_local_dir
    local d=$PDF_SIGNING_DIR
    [[ -s $d/signing.p12 && -s $d/password && -s $d/authority.pem ]] && return 0
    command -v openssl >/dev/null 2>&1 || die "openssl is needed to make the development PDF signing certificate (apt-get install openssl)."
    rm -rf "$d.tmp"
    mkdir -p "$d.tmp"
    chmod 700 "$d.tmp"
    (
        umask 077
        cd "$d.tmp"
        openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 -keyout authority.key -out authority.pem \
            -subj "/O=STS Snapshot Service (development)/CN=STS development signing authority" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey rsa:3072 -sha256 -nodes -keyout signing.key -out signing.csr \
            -subj "/O=STS Snapshot Service (development)/CN=STS Snapshot Service (development)" 2>/dev/null
        printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,nonRepudiation" \
            "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >signing.ext
        openssl x509 -req -sha256 -days 825 -in signing.csr -CA authority.pem -CAkey authority.key \
            -set_serial "0x$(openssl rand -hex 16)" -extfile signing.ext -out signing.pem 2>/dev/null
        head -c 24 /dev/urandom | base64 -w0 | tr -d '/+=' >password
        openssl pkcs12 -export -inkey signing.key -in signing.pem -certfile authority.pem -name "sts-pdf-signing" \
            -passout "file:password" -out signing.p12
        rm -f signing.csr signing.ext authority.srl
    ) || { rm -rf "$d.tmp"; die "could not make the development PDF signing certificate with openssl"; }
    rm -rf "$d"
    mv "$d.tmp" "$d"
    log "generated development PDF signing certificate: $d/signing.p12 (issued by $d/authority.pem)"
}

