/*
 * certstore.h — the certificates the device keeps in flash: one trusted CA
 * (net.cert.verify, tls.cert.verify) and one client certificate with its key
 * (tls.cert.auth).
 *
 * Each slot is a 4 KiB image of the firmware's flash sector: records of a
 * 32-byte NUL-padded name, a 2-byte little-endian length and the DER bytes,
 * the rest 0xFF. It is persisted as a file in the state directory (home.h):
 * server-ca.sector and client-cert.sector. Before the first store, the CA slot
 * holds the server-ca.crt that was embedded at build time, if any.
 *
 * PEM text is parsed by the firmware's rules, with its error texts, and the
 * DER content is not validated here (the handshake does that).
 */
#ifndef NETMCU_CERTSTORE_H
#define NETMCU_CERTSTORE_H

#include <stdbool.h>
#include <stddef.h>

#define NM_CERT_SECTOR_SIZE 4096

typedef enum { NM_CERT_CA, NM_CERT_CLIENT } nm_cert_slot;

/* Parses pems[i] (NULL: none given) as one PEM object of the slot's i-th type
 * (CA: "CERTIFICATE"; client: "CERTIFICATE", "RSA PRIVATE KEY") and stores
 * them, rewriting the file only when the image changes. Returns NULL, or the
 * firmware's error text ("No PEM header", "Wrong PEM type", ...). */
const char *nm_certstore_put(nm_cert_slot slot, const char *const *pems, int count);
/* True when the slot holds a record (the firmware's "no certificates found"
 * test: the first byte is neither 0x00 nor 0xFF). */
bool nm_certstore_has(nm_cert_slot slot);
/* The k-th record (from 0) of the slot; false when there is none. The bytes
 * stay valid until the next nm_certstore_put on that slot. */
bool nm_certstore_record(nm_cert_slot slot, int k, const unsigned char **der, size_t *len);

/* The PEM text of server-ca.crt from the build tree ("" when there was none). */
extern const char nm_embedded_server_ca[];

#endif
