"""Capturing a web page as evidence, time-stamping it (RFC 3161) and watching it until it is gone.

Modules, by the question they answer:

    ssrf.py      may the capture reach this address? (public addresses only, after DNS)
    fetch.py     fetch one request for the browser, pinned to the checked address, with limits
    browser.py   drive headless Chromium: PNG with a header band, PDF, MHTML, WARC, text
    tsa.py       ask the configured time-stamping authorities for tokens; verify tokens
    services.py  capture_request / capture_run / capture_upload: the status row and evidence rows
    watch.py     re-check captured pages, write "Fjernet"/"Ændret"/"Tilgængelig igen"
    tasks.py     Celery adapters on the "capture" queue
    views.py     "Sikr side" pages (through incidents.policy)

See docs/capture.md.
"""
