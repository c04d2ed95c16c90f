"""Tests of autograd.viz."""
