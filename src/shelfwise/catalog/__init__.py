"""Products, marketplace accounts, listings and their content versions."""
