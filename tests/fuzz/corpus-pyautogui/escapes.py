pyautogui.write('it\'s \x41\u00e9\U0001F600 \101' r'C:\n' """x
y""")
