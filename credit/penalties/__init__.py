"""Penalty information (行政处罚信息): its publicity window, its repair, and how the public sees it
(domain.md §5, §6). ``publicity`` holds the pure rules, ``store`` the night's windows, ``read`` the
views as of a date (as known after a night), ``repair`` the applications and the night's decisions."""
