"""SMS providers: Alibaba Cloud, Tencent Cloud and a generic HTTP gateway, one module each."""
