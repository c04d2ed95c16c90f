"""Tests of autograd.compile."""
