"""What is kept on disk: settings, profiles, the delivery history and the attribute-type memory."""
