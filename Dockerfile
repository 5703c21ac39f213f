FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY archive ./archive
COPY meetings ./meetings
RUN pip install --no-cache-dir .
COPY . .
RUN DATABASE_URL=postgres://unused/unused python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && gunicorn -c gunicorn.conf.py"]
