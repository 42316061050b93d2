print("llmwatch")
