"""Strings of the Evaluate tab's "Compare runs" and "Blind A/B arena" sections, in every language (kept in one module
so the two sections' keys travel together)."""

EN = {
    "compare.title_md": "### Compare runs",
    "compare.intro": "Unseen-phrasing accuracy with its 95% interval per run (and per round), held-out facts, refusals "
                     "and forgetting, side by side. A comparison is fair only on the same held-out questions: the line "
                     "under the table says whether it is.",
    "compare.runs": "Evaluation reports to compare", "compare.go": "Compare runs",
    "compare.table": "Runs side by side", "compare.plot": "Unseen-phrasing accuracy per run (95% CI)",
    "compare.pick": "Pick one or more evaluation reports.",
    "compare.same": "Like-for-like: all {n} runs were scored on the same held-out questions.",
    "compare.different": "Not like-for-like: the runs were scored on different held-out questions ({common} in "
                         "common); differences may come from the questions.",
    "compare.one": "One run: pick another to compare it with.",
    "arena.title_md": "### Blind A/B arena",
    "arena.intro": "Two answers to a held-out question, in random order, without saying which model wrote which. Pick "
                   "the better one, a tie, or \"both wrong\". Judgments are kept in this workspace: you can stop and "
                   "come back.",
    "arena.report": "Evaluation report to judge", "arena.pairing": "Pairing",
    "arena.pair_base_tuned": "base vs tuned", "arena.pair_tuned_rag": "tuned vs tuned + retrieval",
    "arena.pair_voice": "base vs tuned (voice)", "arena.pair_run": "this run vs another run",
    "arena.other": "Other run's report (run vs run)", "arena.start": "Start judging",
    "arena.ask": "**Which answer is better?**", "arena.ask_voice": "**Which sounds like me?**",
    "arena.keys": "Keys: 1 or A, 2 or B, 3 or T (tie), 4 or W (both wrong).",
    "arena.question": "Question", "arena.answer_a": "Answer A", "arena.answer_b": "Answer B",
    "arena.pick_a": "A is better", "arena.pick_b": "B is better", "arena.tie": "Tie", "arena.both_wrong": "Both wrong",
    "arena.progress": "{judged} of {total} judged", "arena.done": "All {total} judged: thank you.",
    "arena.reveal": "Last one: A was {a}, B was {b}.",
    "arena.results": "Results per pairing (ties count half; \"both wrong\" left out; Wilson 95% interval)",
    "arena.pick_report": "Pick an evaluation report first.",
}

IT = {
    "compare.title_md": "### Confronta le esecuzioni",
    "compare.intro": "Accuratezza sulle formulazioni mai viste con l'intervallo al 95% per esecuzione (e per round), "
                     "fatti esclusi, rifiuti e dimenticanza, affiancati. Il confronto è equo solo sulle stesse domande "
                     "escluse: la riga sotto la tabella dice se lo è.",
    "compare.runs": "Report di valutazione da confrontare", "compare.go": "Confronta le esecuzioni",
    "compare.table": "Esecuzioni affiancate", "compare.plot": "Accuratezza sulle formulazioni mai viste (IC 95%)",
    "compare.pick": "Scegli uno o più report di valutazione.",
    "compare.same": "Confronto alla pari: tutte le {n} esecuzioni sono state valutate sulle stesse domande escluse.",
    "compare.different": "Confronto non alla pari: le esecuzioni sono state valutate su domande escluse diverse ({common} "
                         "in comune); le differenze possono dipendere dalle domande.",
    "compare.one": "Una sola esecuzione: scegline un'altra con cui confrontarla.",
    "arena.title_md": "### Arena A/B alla cieca",
    "arena.intro": "Due risposte a una domanda esclusa, in ordine casuale, senza dire quale modello ha scritto quale. "
                   "Scegli la migliore, un pareggio o \"entrambe sbagliate\". I giudizi restano in quest'area di lavoro: "
                   "puoi fermarti e riprendere.",
    "arena.report": "Report di valutazione da giudicare", "arena.pairing": "Confronto",
    "arena.pair_base_tuned": "base contro addestrato", "arena.pair_tuned_rag": "addestrato contro addestrato + recupero",
    "arena.pair_voice": "base contro addestrato (voce)", "arena.pair_run": "questa esecuzione contro un'altra",
    "arena.other": "Report dell'altra esecuzione (esecuzione contro esecuzione)", "arena.start": "Inizia a giudicare",
    "arena.ask": "**Quale risposta è migliore?**", "arena.ask_voice": "**Quale suona come me?**",
    "arena.keys": "Tasti: 1 o A, 2 o B, 3 o T (pareggio), 4 o W (entrambe sbagliate).",
    "arena.question": "Domanda", "arena.answer_a": "Risposta A", "arena.answer_b": "Risposta B",
    "arena.pick_a": "Meglio A", "arena.pick_b": "Meglio B", "arena.tie": "Pareggio", "arena.both_wrong": "Entrambe sbagliate",
    "arena.progress": "{judged} di {total} giudicate", "arena.done": "Tutte le {total} giudicate: grazie.",
    "arena.reveal": "L'ultima: A era {a}, B era {b}.",
    "arena.results": "Risultati per confronto (i pareggi contano metà; \"entrambe sbagliate\" escluse; intervallo di "
                     "Wilson al 95%)",
    "arena.pick_report": "Scegli prima un report di valutazione.",
}

ES = {
    "compare.title_md": "### Comparar ejecuciones",
    "compare.intro": "Exactitud en formulaciones no vistas con su intervalo del 95% por ejecución (y por ronda), hechos "
                     "reservados, rechazos y olvido, lado a lado. La comparación solo es justa con las mismas preguntas "
                     "reservadas: la línea bajo la tabla dice si lo es.",
    "compare.runs": "Informes de evaluación para comparar", "compare.go": "Comparar ejecuciones",
    "compare.table": "Ejecuciones lado a lado", "compare.plot": "Exactitud en formulaciones no vistas (IC 95%)",
    "compare.pick": "Elija uno o más informes de evaluación.",
    "compare.same": "Comparación equivalente: las {n} ejecuciones se puntuaron con las mismas preguntas reservadas.",
    "compare.different": "Comparación no equivalente: las ejecuciones se puntuaron con preguntas reservadas distintas "
                         "({common} en común); las diferencias pueden venir de las preguntas.",
    "compare.one": "Una sola ejecución: elija otra para compararla.",
    "arena.title_md": "### Arena A/B a ciegas",
    "arena.intro": "Dos respuestas a una pregunta reservada, en orden aleatorio, sin decir qué modelo escribió cuál. "
                   "Elija la mejor, un empate o \"ambas mal\". Los juicios se guardan en este espacio de trabajo: puede "
                   "parar y volver.",
    "arena.report": "Informe de evaluación para juzgar", "arena.pairing": "Emparejamiento",
    "arena.pair_base_tuned": "base contra ajustado", "arena.pair_tuned_rag": "ajustado contra ajustado + recuperación",
    "arena.pair_voice": "base contra ajustado (voz)", "arena.pair_run": "esta ejecución contra otra",
    "arena.other": "Informe de la otra ejecución (ejecución contra ejecución)", "arena.start": "Empezar a juzgar",
    "arena.ask": "**¿Qué respuesta es mejor?**", "arena.ask_voice": "**¿Cuál suena como yo?**",
    "arena.keys": "Teclas: 1 o A, 2 o B, 3 o T (empate), 4 o W (ambas mal).",
    "arena.question": "Pregunta", "arena.answer_a": "Respuesta A", "arena.answer_b": "Respuesta B",
    "arena.pick_a": "A es mejor", "arena.pick_b": "B es mejor", "arena.tie": "Empate", "arena.both_wrong": "Ambas mal",
    "arena.progress": "{judged} de {total} juzgadas", "arena.done": "Las {total} juzgadas: gracias.",
    "arena.reveal": "La última: A era {a}, B era {b}.",
    "arena.results": "Resultados por emparejamiento (los empates cuentan la mitad; \"ambas mal\" excluidas; intervalo "
                     "de Wilson del 95%)",
    "arena.pick_report": "Elija primero un informe de evaluación.",
}

FR = {
    "compare.title_md": "### Comparer des exécutions",
    "compare.intro": "Exactitude sur les formulations inédites avec son intervalle à 95 % par exécution (et par tour), "
                     "faits réservés, refus et oubli, côte à côte. La comparaison n'est juste que sur les mêmes questions "
                     "réservées : la ligne sous le tableau dit si c'est le cas.",
    "compare.runs": "Rapports d'évaluation à comparer", "compare.go": "Comparer les exécutions",
    "compare.table": "Exécutions côte à côte", "compare.plot": "Exactitude sur les formulations inédites (IC 95 %)",
    "compare.pick": "Choisissez un ou plusieurs rapports d'évaluation.",
    "compare.same": "À égalité : les {n} exécutions ont été notées sur les mêmes questions réservées.",
    "compare.different": "Pas à égalité : les exécutions ont été notées sur des questions réservées différentes "
                         "({common} en commun) ; les écarts peuvent venir des questions.",
    "compare.one": "Une seule exécution : choisissez-en une autre pour la comparer.",
    "arena.title_md": "### Arène A/B à l'aveugle",
    "arena.intro": "Deux réponses à une question réservée, dans un ordre aléatoire, sans dire quel modèle a écrit "
                   "laquelle. Choisissez la meilleure, une égalité ou « les deux fausses ». Les jugements restent dans "
                   "cet espace de travail : vous pouvez arrêter et revenir.",
    "arena.report": "Rapport d'évaluation à juger", "arena.pairing": "Confrontation",
    "arena.pair_base_tuned": "base contre affiné", "arena.pair_tuned_rag": "affiné contre affiné + recherche",
    "arena.pair_voice": "base contre affiné (voix)", "arena.pair_run": "cette exécution contre une autre",
    "arena.other": "Rapport de l'autre exécution (exécution contre exécution)", "arena.start": "Commencer à juger",
    "arena.ask": "**Quelle réponse est la meilleure ?**", "arena.ask_voice": "**Laquelle me ressemble ?**",
    "arena.keys": "Touches : 1 ou A, 2 ou B, 3 ou T (égalité), 4 ou W (les deux fausses).",
    "arena.question": "Question", "arena.answer_a": "Réponse A", "arena.answer_b": "Réponse B",
    "arena.pick_a": "A est meilleure", "arena.pick_b": "B est meilleure", "arena.tie": "Égalité",
    "arena.both_wrong": "Les deux fausses",
    "arena.progress": "{judged} sur {total} jugées", "arena.done": "Les {total} sont jugées : merci.",
    "arena.reveal": "La dernière : A était {a}, B était {b}.",
    "arena.results": "Résultats par confrontation (une égalité compte pour moitié ; « les deux fausses » exclues ; "
                     "intervalle de Wilson à 95 %)",
    "arena.pick_report": "Choisissez d'abord un rapport d'évaluation.",
}

DE = {
    "compare.title_md": "### Läufe vergleichen",
    "compare.intro": "Genauigkeit auf ungesehenen Formulierungen mit 95-%-Intervall pro Lauf (und Runde), "
                     "zurückgehaltene Fakten, Ablehnungen und Vergessen, nebeneinander. Fair ist der Vergleich nur auf "
                     "denselben zurückgehaltenen Fragen: die Zeile unter der Tabelle sagt, ob er es ist.",
    "compare.runs": "Zu vergleichende Auswertungsberichte", "compare.go": "Läufe vergleichen",
    "compare.table": "Läufe nebeneinander", "compare.plot": "Genauigkeit auf ungesehenen Formulierungen (95-%-KI)",
    "compare.pick": "Wählen Sie einen oder mehrere Auswertungsberichte.",
    "compare.same": "Gleichwertig: alle {n} Läufe wurden auf denselben zurückgehaltenen Fragen bewertet.",
    "compare.different": "Nicht gleichwertig: die Läufe wurden auf verschiedenen zurückgehaltenen Fragen bewertet "
                         "({common} gemeinsam); Unterschiede können von den Fragen kommen.",
    "compare.one": "Ein Lauf: wählen Sie einen weiteren zum Vergleich.",
    "arena.title_md": "### Blinde A/B-Arena",
    "arena.intro": "Zwei Antworten auf eine zurückgehaltene Frage, in zufälliger Reihenfolge, ohne zu sagen, welches "
                   "Modell welche schrieb. Wählen Sie die bessere, ein Unentschieden oder \"beide falsch\". Die Urteile "
                   "bleiben in diesem Arbeitsbereich: Sie können aufhören und später weitermachen.",
    "arena.report": "Zu beurteilender Auswertungsbericht", "arena.pairing": "Paarung",
    "arena.pair_base_tuned": "Basis gegen feinabgestimmt",
    "arena.pair_tuned_rag": "feinabgestimmt gegen feinabgestimmt + Retrieval",
    "arena.pair_voice": "Basis gegen feinabgestimmt (Stimme)", "arena.pair_run": "dieser Lauf gegen einen anderen",
    "arena.other": "Bericht des anderen Laufs (Lauf gegen Lauf)", "arena.start": "Beurteilen beginnen",
    "arena.ask": "**Welche Antwort ist besser?**", "arena.ask_voice": "**Welche klingt wie ich?**",
    "arena.keys": "Tasten: 1 oder A, 2 oder B, 3 oder T (unentschieden), 4 oder W (beide falsch).",
    "arena.question": "Frage", "arena.answer_a": "Antwort A", "arena.answer_b": "Antwort B",
    "arena.pick_a": "A ist besser", "arena.pick_b": "B ist besser", "arena.tie": "Unentschieden",
    "arena.both_wrong": "Beide falsch",
    "arena.progress": "{judged} von {total} beurteilt", "arena.done": "Alle {total} beurteilt: danke.",
    "arena.reveal": "Die letzte: A war {a}, B war {b}.",
    "arena.results": "Ergebnisse je Paarung (Unentschieden zählt halb; \"beide falsch\" ausgenommen; "
                     "Wilson-95-%-Intervall)",
    "arena.pick_report": "Wählen Sie zuerst einen Auswertungsbericht.",
}

PT = {
    "compare.title_md": "### Comparar execuções",
    "compare.intro": "Exatidão em formulações não vistas com o intervalo de 95% por execução (e por rodada), fatos "
                     "reservados, recusas e esquecimento, lado a lado. A comparação só é justa nas mesmas perguntas "
                     "reservadas: a linha sob a tabela diz se é.",
    "compare.runs": "Relatórios de avaliação para comparar", "compare.go": "Comparar execuções",
    "compare.table": "Execuções lado a lado", "compare.plot": "Exatidão em formulações não vistas (IC 95%)",
    "compare.pick": "Escolha um ou mais relatórios de avaliação.",
    "compare.same": "Comparação equivalente: as {n} execuções foram pontuadas nas mesmas perguntas reservadas.",
    "compare.different": "Comparação não equivalente: as execuções foram pontuadas em perguntas reservadas diferentes "
                         "({common} em comum); as diferenças podem vir das perguntas.",
    "compare.one": "Uma só execução: escolha outra para comparar.",
    "arena.title_md": "### Arena A/B às cegas",
    "arena.intro": "Duas respostas a uma pergunta reservada, em ordem aleatória, sem dizer qual modelo escreveu qual. "
                   "Escolha a melhor, um empate ou \"ambas erradas\". Os julgamentos ficam neste espaço de trabalho: "
                   "pode parar e voltar.",
    "arena.report": "Relatório de avaliação para julgar", "arena.pairing": "Confronto",
    "arena.pair_base_tuned": "base contra ajustado", "arena.pair_tuned_rag": "ajustado contra ajustado + recuperação",
    "arena.pair_voice": "base contra ajustado (voz)", "arena.pair_run": "esta execução contra outra",
    "arena.other": "Relatório da outra execução (execução contra execução)", "arena.start": "Começar a julgar",
    "arena.ask": "**Qual resposta é melhor?**", "arena.ask_voice": "**Qual soa como eu?**",
    "arena.keys": "Teclas: 1 ou A, 2 ou B, 3 ou T (empate), 4 ou W (ambas erradas).",
    "arena.question": "Pergunta", "arena.answer_a": "Resposta A", "arena.answer_b": "Resposta B",
    "arena.pick_a": "A é melhor", "arena.pick_b": "B é melhor", "arena.tie": "Empate", "arena.both_wrong": "Ambas erradas",
    "arena.progress": "{judged} de {total} julgadas", "arena.done": "Todas as {total} julgadas: obrigado.",
    "arena.reveal": "A última: A era {a}, B era {b}.",
    "arena.results": "Resultados por confronto (empates contam metade; \"ambas erradas\" excluídas; intervalo de "
                     "Wilson de 95%)",
    "arena.pick_report": "Escolha primeiro um relatório de avaliação.",
}

ZH = {
    "compare.title_md": "### 比较多次运行",
    "compare.intro": "并排显示每次运行（及每轮）在未见措辞上的准确率及其 95% 区间、留出事实、拒答和遗忘。只有在相同的留出问题上比较才公平：表格下方的一行会说明是否如此。",
    "compare.runs": "要比较的评估报告", "compare.go": "比较运行",
    "compare.table": "并排的运行", "compare.plot": "各次运行在未见措辞上的准确率（95% CI）",
    "compare.pick": "请选择一个或多个评估报告。",
    "compare.same": "同等比较：全部 {n} 次运行都在相同的留出问题上评分。",
    "compare.different": "并非同等比较：这些运行在不同的留出问题上评分（共有 {common} 个）；差异可能来自问题本身。",
    "compare.one": "只有一次运行：请再选一个来比较。",
    "arena.title_md": "### 盲测 A/B 竞技场",
    "arena.intro": "针对一个留出问题的两个回答，顺序随机，不说明哪个模型写了哪个。选择更好的一个、平局或\"都错\"。判断保存在此工作区：可以随时停下再回来。",
    "arena.report": "要评判的评估报告", "arena.pairing": "对比组",
    "arena.pair_base_tuned": "基础模型 对 微调模型", "arena.pair_tuned_rag": "微调模型 对 微调模型 + 检索",
    "arena.pair_voice": "基础模型 对 微调模型（文风）", "arena.pair_run": "本次运行 对 另一次运行",
    "arena.other": "另一次运行的报告（运行对运行）", "arena.start": "开始评判",
    "arena.ask": "**哪个回答更好？**", "arena.ask_voice": "**哪个听起来像我？**",
    "arena.keys": "快捷键：1 或 A，2 或 B，3 或 T（平局），4 或 W（都错）。",
    "arena.question": "问题", "arena.answer_a": "回答 A", "arena.answer_b": "回答 B",
    "arena.pick_a": "A 更好", "arena.pick_b": "B 更好", "arena.tie": "平局", "arena.both_wrong": "都错",
    "arena.progress": "已评判 {judged} / {total}", "arena.done": "全部 {total} 个已评判：谢谢。",
    "arena.reveal": "上一题：A 是 {a}，B 是 {b}。",
    "arena.results": "各对比组结果（平局计一半；\"都错\"不计入；Wilson 95% 区间）",
    "arena.pick_report": "请先选择一个评估报告。",
}

JA = {
    "compare.title_md": "### 実行を比較",
    "compare.intro": "実行ごと（およびラウンドごと）の未見の言い換えでの正答率と 95% 区間、除外した事実、拒否、忘却を並べて表示します。同じ除外質問での比較だけが公平です。表の下の行でそうかどうかを示します。",
    "compare.runs": "比較する評価レポート", "compare.go": "実行を比較",
    "compare.table": "並べた実行", "compare.plot": "実行ごとの未見の言い換えでの正答率（95% CI）",
    "compare.pick": "評価レポートを 1 つ以上選んでください。",
    "compare.same": "同条件の比較：{n} 件の実行はすべて同じ除外質問で採点されました。",
    "compare.different": "同条件ではありません：実行ごとに異なる除外質問で採点されました（共通 {common} 件）。差は質問の違いによる可能性があります。",
    "compare.one": "実行が 1 件だけです：比較するもう 1 件を選んでください。",
    "arena.title_md": "### ブラインド A/B アリーナ",
    "arena.intro": "除外した質問への 2 つの回答を、どのモデルが書いたかを伏せてランダムな順で表示します。良い方、引き分け、または\"どちらも誤り\"を選んでください。判定はこのワークスペースに保存され、中断して再開できます。",
    "arena.report": "判定する評価レポート", "arena.pairing": "組み合わせ",
    "arena.pair_base_tuned": "ベース 対 チューニング済み", "arena.pair_tuned_rag": "チューニング済み 対 チューニング済み + 検索",
    "arena.pair_voice": "ベース 対 チューニング済み（文体）", "arena.pair_run": "この実行 対 別の実行",
    "arena.other": "もう一方の実行のレポート（実行 対 実行）", "arena.start": "判定を開始",
    "arena.ask": "**どちらの回答が良いですか？**", "arena.ask_voice": "**どちらが私らしいですか？**",
    "arena.keys": "キー：1 または A、2 または B、3 または T（引き分け）、4 または W（どちらも誤り）。",
    "arena.question": "質問", "arena.answer_a": "回答 A", "arena.answer_b": "回答 B",
    "arena.pick_a": "A が良い", "arena.pick_b": "B が良い", "arena.tie": "引き分け", "arena.both_wrong": "どちらも誤り",
    "arena.progress": "{total} 件中 {judged} 件を判定済み", "arena.done": "{total} 件すべて判定しました。ありがとうございます。",
    "arena.reveal": "直前の問題：A は {a}、B は {b} でした。",
    "arena.results": "組み合わせごとの結果（引き分けは半分として数え、\"どちらも誤り\"は除外、Wilson 95% 区間）",
    "arena.pick_report": "まず評価レポートを選んでください。",
}
