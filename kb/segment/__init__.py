"""Segmentation: a document's body text -> its clause tree (编章节条款项目 or 一、（一）1.（1）), ids and spans."""
