pyautogui.moveRel(-10, 5); pyautogui.dragRel(3, 3, button='right'); pyautogui.scroll(-3, x=1, y=1)
