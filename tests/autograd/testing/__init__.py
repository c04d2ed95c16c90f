"""Tests of autograd.testing."""
