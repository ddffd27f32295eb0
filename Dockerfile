# kuaiji serve in a container: the core, the CLI, the server and the five in-tree plugins.
#   docker build -t kuaiji .
#   docker run -p 8000:8000 kuaiji            # http://127.0.0.1:8000/docs
# Stateless: run N replicas behind any load balancer, probe /readyz. Rules updates: mount the
# same volume at KUAIJI_CACHE_DIR in every replica and run `kuaiji rules update` in one; every
# worker of every replica picks it up on its next request.
FROM python:3.11-slim
WORKDIR /src
COPY core core
COPY cli cli
COPY server server
COPY plugins plugins
RUN pip install --no-cache-dir ./core ./cli ./server \
        ./plugins/guangdong ./plugins/shenzhen ./plugins/tianjin ./plugins/hunan ./plugins/xinjiang \
    && useradd --create-home --uid 10001 kuaiji
USER kuaiji
ENV KUAIJI_CACHE_DIR=/home/kuaiji/.cache/kuaiji/rules
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["kuaiji", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
