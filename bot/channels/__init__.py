"""Patient channel adapters (Telegram, web chat, REST) on top of bot.gateway.routing."""
