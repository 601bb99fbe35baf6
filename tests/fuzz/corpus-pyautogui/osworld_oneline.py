# Click the button
pyautogui.click(x=10, y=20, duration=1); pyautogui.press(['tab', 'enter'], presses=2)
DONE
