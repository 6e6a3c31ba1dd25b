"""Messages waiting to be sent (e-mail, SMS), and the sender that sends each exactly once."""
