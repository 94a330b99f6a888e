"""Encrypts a jrnl plaintext journal (read from stdin) with jrnl's own code.

Usage: python jrnl_encrypt.py OUT_FILE PASSWORD < journal.txt

jrnl 4.6 writes encrypted journals in its v3 format (a salt header, then one Fernet token
over the whole text, key from PBKDF2-HMAC-SHA256). Using its Jrnlv3Encryption class rather
than a re-implementation means jrnl reads the file exactly as if it had written it.
"""

import sys

from jrnl.encryption.Jrnlv3Encryption import Jrnlv3Encryption


def main() -> None:
    out, password = sys.argv[1], sys.argv[2]
    text = sys.stdin.read()
    encryption = Jrnlv3Encryption("default", {"encrypt": True})
    encryption.password = password
    with open(out, "wb") as f:
        f.write(encryption.encrypt(text))


if __name__ == "__main__":
    main()
