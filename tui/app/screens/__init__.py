"""Overlays: help, fork tree, fork compare, and the small fork and go-to dialogs."""
