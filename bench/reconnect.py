async def run(stack, mode): return []
