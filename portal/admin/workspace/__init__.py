"""The Kominfo workspace: the queues, the complaint page, inline and bulk actions."""
