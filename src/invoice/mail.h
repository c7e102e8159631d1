/*
 * mail.h: sending documents by e-mail (SMTP through libcurl).
 *
 * Settings come from the environment or from a settings file that only its
 * owner can read (mode 0600; anything wider is refused), never from the
 * configuration document (so `config export` never shows them):
 *   REBILL_SMTP_URL       smtp://host:587 (STARTTLS) or smtps://host:465
 *   REBILL_SMTP_USER, REBILL_SMTP_PASSWORD   for AUTH (optional)
 *   REBILL_SMTP_FROM      the sender address (default: the issuer's email)
 *   REBILL_SMTP_TLS       required (default for smtp://), try, or none
 *   REBILL_SMTP_FILE      a file of KEY=VALUE lines with the same keys
 *                         without the prefix (url=..., password=...);
 *                         the environment wins over the file.
 * A message has a text and an HTML body (the document itself) and the PDF
 * and UBL files attached; its Message-ID and the time are recorded.
 */
#ifndef RB_INVOICE_MAIL_H
#define RB_INVOICE_MAIL_H

#include "invoice/invoice.h"

/* Sends document `number`, or every document of `period` (number NULL,
 * period >= 0), to the customer's email. A document already sent needs
 * force. Each document is sent and then recorded (sent-at, Message-ID,
 * audit) in its own transaction; the first failure stops, naming the
 * document and the server's reply, and records nothing for it. out lists
 * what was sent. */
int invoice_send(struct invoice_issued *out, struct store *s, const char *number, int period,
	int force, struct rb_err *err);

#endif
