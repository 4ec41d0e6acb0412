"""One pagination for every list: ``limit``/``offset`` with a total ``count``."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500
