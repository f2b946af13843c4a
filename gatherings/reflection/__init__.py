"""After the gathering: a short reflection per perspective group, stored apart from the people who gave it."""
