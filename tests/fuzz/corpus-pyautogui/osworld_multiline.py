import pyautogui
import time
pyautogui.click(640, 400)
time.sleep(0.5);
pyautogui.typewrite('RUN-78432', interval=0.1)
pyautogui.hotkey('ctrl', 's')
