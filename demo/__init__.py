"""Demo data: the demo organisation and its users (demo.accounts), recording guidelines and
requests (demo.recordings), made-up incidents and the benchmark generator (demo.incidents with
its COPY writer in demo.writer), and `manage.py seed_demo`. A top layer: it may use every app,
no app uses it."""
