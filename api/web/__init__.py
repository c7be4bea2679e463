"""The HTML pages: server-rendered, every form works without JavaScript."""
