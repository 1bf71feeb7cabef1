"""Operations: backups and restores, upgrades, request logging."""
