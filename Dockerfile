# Image for compose.yaml: builds the front end, then installs the Python package.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md manage.py ./
COPY dbstudio/ dbstudio/
COPY designs/ designs/
COPY static/ static/
COPY --from=frontend /src/static/dist/ static/dist/
RUN pip install --no-cache-dir -e . && useradd --create-home dbstudio && mkdir -p /data && chown dbstudio /data
USER dbstudio
EXPOSE 8000
CMD ["dbstudio", "serve", "--host", "0.0.0.0", "--port", "8000"]
