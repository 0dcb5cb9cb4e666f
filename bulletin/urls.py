from __future__ import annotations

from django.urls import include, path

from bulletin.views import articles, board, categories, ordering

app_name = "bulletin"

article_urls = [
    path("", board.article_detail, name="article"),
    path("done/", articles.article_done, name="article_done"),
    path("delete/", articles.article_delete, name="article_delete"),
    path("move/", ordering.article_move, name="article_move"),
]

category_urls = [
    path("delete/", categories.category_delete, name="category_delete"),
    path("move/", ordering.category_move, name="category_move"),
    path("order/", ordering.article_order, name="article_order"),
]

urlpatterns = [
    path("", board.index, name="index"),
    path("edit/", board.edit, name="edit"),
    path("articles/add/", articles.article_add, name="article_add"),
    path("articles/<int:pk>/", include(article_urls)),
    path("categories/add/", categories.category_add, name="category_add"),
    path("categories/done/", categories.category_done, name="category_done"),
    path("categories/order/", ordering.category_order, name="category_order"),
    path("categories/<int:pk>/", include(category_urls)),
]
