"""Strings of the iterate loop (Evaluate: improve the missed facts; Train: continue from a finished run), in every
language of the interface (the table merges each dict named after a language)."""

EN = {
    "evaluate.improve_md": "### Improve the missed facts",
    "evaluate.improve_per_fact": "New phrasings per missed fact",
    "evaluate.improve": "Improve the missed facts",
    "evaluate.improve_done": "{facts} missed fact(s): {pairs} new training pair(s) for round {round} ({improved} facts "
    "improved), {flagged} trained pair(s) flagged check_answer, {leaks} leak(s) refused. Look at them in the Review "
    "tab (round {round}), then continue training from this run in the Train tab.",
    "evaluate.improve_none": "No missed facts: every unseen phrasing was answered right.",
    "evaluate.improve_no_report": "Open a finished evaluation first.",
    "train.continue_from": "Continue from a finished run (a new run from its weights)",
    "train.start_fresh": "Start fresh",
    "train.replay_share": "Replay share (old pairs mixed in, x the new pairs; against forgetting)",
}

IT = {
    "evaluate.improve_md": "### Migliora i fatti mancati",
    "evaluate.improve_per_fact": "Nuove formulazioni per fatto mancato",
    "evaluate.improve": "Migliora i fatti mancati",
    "evaluate.improve_done": "{facts} fatti mancati: {pairs} nuove coppie di addestramento per il round {round} "
    "({improved} fatti migliorati), {flagged} coppie addestrate segnalate check_answer, {leaks} fughe rifiutate. "
    "Guardale nella scheda Revisione (round {round}), poi continua l'addestramento da questa esecuzione nella scheda "
    "Addestra.",
    "evaluate.improve_none": "Nessun fatto mancato: ogni formulazione mai vista ha avuto la risposta giusta.",
    "evaluate.improve_no_report": "Apri prima una valutazione finita.",
    "train.continue_from": "Continua da un'esecuzione finita (una nuova esecuzione dai suoi pesi)",
    "train.start_fresh": "Parti da zero",
    "train.replay_share": "Quota di ripasso (coppie vecchie aggiunte, x le coppie nuove; contro la dimenticanza)",
}

ES = {
    "evaluate.improve_md": "### Mejorar los hechos fallados",
    "evaluate.improve_per_fact": "Formulaciones nuevas por hecho fallado",
    "evaluate.improve": "Mejorar los hechos fallados",
    "evaluate.improve_done": "{facts} hechos fallados: {pairs} pares de entrenamiento nuevos para la ronda {round} "
    "({improved} hechos mejorados), {flagged} pares entrenados marcados check_answer, {leaks} fugas rechazadas. "
    "Revísalos en la pestaña Revisar (ronda {round}) y luego continúa el entrenamiento desde esta ejecución en la "
    "pestaña Entrenar.",
    "evaluate.improve_none": "Ningún hecho fallado: todas las formulaciones no vistas se respondieron bien.",
    "evaluate.improve_no_report": "Abre primero una evaluación terminada.",
    "train.continue_from": "Continuar desde una ejecución terminada (una ejecución nueva desde sus pesos)",
    "train.start_fresh": "Empezar de cero",
    "train.replay_share": "Proporción de repaso (pares antiguos añadidos, x los pares nuevos; contra el olvido)",
}

FR = {
    "evaluate.improve_md": "### Améliorer les faits manqués",
    "evaluate.improve_per_fact": "Nouvelles formulations par fait manqué",
    "evaluate.improve": "Améliorer les faits manqués",
    "evaluate.improve_done": "{facts} faits manqués : {pairs} nouvelles paires d'entraînement pour le tour {round} "
    "({improved} faits améliorés), {flagged} paires entraînées marquées check_answer, {leaks} fuites refusées. "
    "Vérifiez-les dans l'onglet Vérifier (tour {round}), puis poursuivez l'entraînement depuis cette exécution dans "
    "l'onglet Entraîner.",
    "evaluate.improve_none": "Aucun fait manqué : chaque formulation inédite a reçu la bonne réponse.",
    "evaluate.improve_no_report": "Ouvrez d'abord une évaluation terminée.",
    "train.continue_from": "Poursuivre depuis une exécution terminée (une nouvelle exécution à partir de ses poids)",
    "train.start_fresh": "Repartir de zéro",
    "train.replay_share": "Part de révision (anciennes paires ajoutées, x les nouvelles paires ; contre l'oubli)",
}

DE = {
    "evaluate.improve_md": "### Verfehlte Fakten verbessern",
    "evaluate.improve_per_fact": "Neue Formulierungen je verfehltem Fakt",
    "evaluate.improve": "Verfehlte Fakten verbessern",
    "evaluate.improve_done": "{facts} verfehlte Fakten: {pairs} neue Trainingspaare für Runde {round} ({improved} "
    "Fakten verbessert), {flagged} trainierte Paare mit check_answer markiert, {leaks} Lecks abgelehnt. Sehen Sie sie "
    "im Tab Prüfen an (Runde {round}) und setzen Sie dann im Tab Trainieren das Training ab diesem Lauf fort.",
    "evaluate.improve_none": "Keine verfehlten Fakten: jede ungesehene Formulierung wurde richtig beantwortet.",
    "evaluate.improve_no_report": "Öffnen Sie zuerst eine abgeschlossene Bewertung.",
    "train.continue_from": "Von einem abgeschlossenen Lauf fortsetzen (ein neuer Lauf ab seinen Gewichten)",
    "train.start_fresh": "Neu beginnen",
    "train.replay_share": "Wiederholungsanteil (alte Paare beigemischt, x die neuen Paare; gegen das Vergessen)",
}

PT = {
    "evaluate.improve_md": "### Melhorar os factos falhados",
    "evaluate.improve_per_fact": "Novas formulações por facto falhado",
    "evaluate.improve": "Melhorar os factos falhados",
    "evaluate.improve_done": "{facts} factos falhados: {pairs} novos pares de treino para a ronda {round} "
    "({improved} factos melhorados), {flagged} pares treinados marcados check_answer, {leaks} fugas recusadas. "
    "Veja-os no separador Rever (ronda {round}) e depois continue o treino a partir desta execução no separador "
    "Treinar.",
    "evaluate.improve_none": "Nenhum facto falhado: todas as formulações inéditas foram respondidas corretamente.",
    "evaluate.improve_no_report": "Abra primeiro uma avaliação terminada.",
    "train.continue_from": "Continuar a partir de uma execução terminada (uma nova execução a partir dos seus pesos)",
    "train.start_fresh": "Começar do zero",
    "train.replay_share": "Proporção de revisão (pares antigos misturados, x os pares novos; contra o esquecimento)",
}

ZH = {
    "evaluate.improve_md": "### 改进答错的事实",
    "evaluate.improve_per_fact": "每个答错事实的新问法数",
    "evaluate.improve": "改进答错的事实",
    "evaluate.improve_done": "{facts} 个答错的事实：为第 {round} 轮新增 {pairs} 个训练问答对（改进了 {improved} 个事实），"
    "{flagged} 个已训练问答对标记为 check_answer，拒绝了 {leaks} 处泄漏。请在“审阅”标签页查看（第 {round} 轮），"
    "然后在“训练”标签页从这次运行继续训练。",
    "evaluate.improve_none": "没有答错的事实：所有未见过的问法都答对了。",
    "evaluate.improve_no_report": "请先打开一次已完成的评估。",
    "train.continue_from": "从已完成的运行继续（以其权重开始一次新运行）",
    "train.start_fresh": "从头开始",
    "train.replay_share": "复习比例（混入的旧问答对，x 新问答对数；防止遗忘）",
}

JA = {
    "evaluate.improve_md": "### 間違えた事実を改善",
    "evaluate.improve_per_fact": "間違えた事実ごとの新しい言い換え数",
    "evaluate.improve": "間違えた事実を改善",
    "evaluate.improve_done": "間違えた事実 {facts} 件: ラウンド {round} 用の新しい学習ペア {pairs} 件（改善した事実 {improved} 件）、"
    "check_answer を付けた学習済みペア {flagged} 件、拒否したリーク {leaks} 件。「確認」タブで見て（ラウンド {round}）、"
    "「学習」タブでこの実行から学習を続けてください。",
    "evaluate.improve_none": "間違えた事実はありません: 未見の言い換えはすべて正解でした。",
    "evaluate.improve_no_report": "まず完了した評価を開いてください。",
    "train.continue_from": "完了した実行から続ける（その重みから新しい実行）",
    "train.start_fresh": "最初から",
    "train.replay_share": "復習の割合（混ぜる古いペア、新しいペアの x 倍; 忘却を防ぐ）",
}
