"""The scoring API's endpoints, one router per concern."""
