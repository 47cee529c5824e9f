# The image of the compose `backup` service: PostgreSQL's own client programs (the server's
# major version), gpg for encrypted backups, and boto3 for private files kept in an S3 bucket.
FROM postgres:16-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends gnupg python3 python3-boto3 \
    && rm -rf /var/lib/apt/lists/*
