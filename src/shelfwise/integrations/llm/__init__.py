"""OpenAI-compatible chat models (OpenAI, Groq, Ollama, vLLM) behind the orchestrator."""
