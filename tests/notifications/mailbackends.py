"""Mail backends for the reliability tests.

- FailingBackend: every send raises an SMTP error, as a mail server that is down.
- SelectiveBackend: the in-memory backend, except that a message for a notification whose id
  is in FAIL_IDS raises an SMTP error (one bad message in a batch).
- BlockingFileBackend: the file-based backend (one file per message in EMAIL_FILE_PATH),
  except that while the file named by NOTIFICATION_BLOCK_FLAG exists it writes
  "<flag>.started" and sleeps instead of sending, so a test can kill the worker in the
  middle of a delivery.
"""

import os
import smtplib
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed (test)")


class BlockingFileBackend(FileBackend):
    def send_messages(self, email_messages):
        flag = os.environ.get("NOTIFICATION_BLOCK_FLAG", "")
        if flag and os.path.exists(flag):
            with open(flag + ".started", "w") as fh:
                fh.write(str(os.getpid()))
            time.sleep(600)
        return super().send_messages(email_messages)


FAIL_IDS: set[str] = set()


class SelectiveBackend(LocmemBackend):
    def send_messages(self, messages):
        for message in messages:
            if message.extra_headers.get("X-Udhaengning-Notification") in FAIL_IDS:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox unavailable (test)")})
        return super().send_messages(messages)
