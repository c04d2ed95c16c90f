"""Tests of autograd.engine."""
